"""doudi.synth: deterministic synthetic counties and provinces (framework-free).

    from doudi.synth import county_regions, generate, write_registry_csv
    regions = county_regions(seed=1)
    write_registry_csv("out", generate(1, regions, 30_000))

Same seed, same bytes. See `python -m doudi.synth --help` for the command line.
"""

from doudi.synth.generate import AS_OF, COUNTY_PERSONS, PROVINCE_PERSONS, SynthHousehold, generate
from doudi.synth.regions import (
    DEMO_COUNTY,
    DEMO_PROVINCE,
    RegionRow,
    county_regions,
    province_regions,
    villages,
    write_regions_csv,
)
from doudi.synth.spec import BENEFIT_HEADERS, HOUSEHOLD_HEADERS, MEMBER_HEADERS, SHEETS
from doudi.synth.writers import write_registry_csv, write_registry_xlsx

__all__ = [
    "AS_OF",
    "BENEFIT_HEADERS",
    "COUNTY_PERSONS",
    "DEMO_COUNTY",
    "DEMO_PROVINCE",
    "HOUSEHOLD_HEADERS",
    "MEMBER_HEADERS",
    "PROVINCE_PERSONS",
    "RegionRow",
    "SHEETS",
    "SynthHousehold",
    "county_regions",
    "generate",
    "province_regions",
    "villages",
    "write_regions_csv",
    "write_registry_csv",
    "write_registry_xlsx",
]
