"""Reading tabular files (Excel, CSV) for every import, and the row errors they report."""
