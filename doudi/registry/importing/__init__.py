"""Registry import (docs/interfaces.md §4): read → validate every row → diff against the register →
write in one transaction, or write nothing and report every error."""
