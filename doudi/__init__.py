"""doudi (兜底): the safety-net system for civil-affairs bureaus."""

__version__ = "0.1.0"
