"""The architecture's rules, checked on every run so a new back-edge fails the build instead of
waiting for a review (docs/architecture.md, "Layers"):

- no import cycles between doudi's packages (apps);
- `rules` imports no Django; `batch` imports no Django and no app; `core` imports no app;
- only the registry names the registry's tables in SQL.

Imports are read with grimp (the graph import-linter uses); tests and migrations are left out:
a test may reach across apps to build its data.
"""

import re
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent / "doudi"
APPS = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists())
SKIP = re.compile(r"\.(tests|migrations)(\.|$)")


@pytest.fixture(scope="module")
def edges() -> dict[tuple[str, str], tuple[str, str]]:
    """(importer app, imported app or external package) → one module-level example."""
    graph = grimp.build_graph("doudi", include_external_packages=True)
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for module in graph.modules:
        if not module.startswith("doudi.") or SKIP.search(module):
            continue
        source = module.split(".")[1]
        for imported in graph.find_modules_directly_imported_by(module):
            if SKIP.search(imported):
                continue
            target = imported.split(".")[1] if imported.startswith("doudi.") else imported.split(".")[0]
            if target != source:
                found.setdefault((source, target), (module, imported))
    return found


def _cycles(edges) -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        if target in APPS:
            graph.setdefault(source, set()).add(target)
    cycles, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for app in sorted(graph):
        if app not in state:
            visit(app, [app])
    return cycles


def test_no_import_cycles_between_apps(edges):
    cycles = _cycles(edges)
    detail = [
        " → ".join(c) + "：" + " / ".join(f"{edges[(a, b)][0]} imports {edges[(a, b)][1]}" for a, b in zip(c, c[1:]))
        for c in cycles
    ]
    assert not cycles, "\n".join(detail)


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [
        ("rules", {"django"}),
        ("batch", {"django"} | set(APPS) - {"batch", "rules", "core"}),
        ("core", set(APPS) - {"core"}),
    ],
)
def test_layer_contracts(edges, app, forbidden):
    broken = {target: example for (source, target), example in edges.items() if source == app and target in forbidden}
    assert not broken, f"{app} imports " + "; ".join(f"{t} ({m} → {i})" for t, (m, i) in broken.items())


def test_batch_uses_only_framework_free_core_modules(edges):
    """batch may use core's framework-free helpers (codes, ID numbers, months), nothing with Django."""
    graph = grimp.build_graph("doudi", include_external_packages=True)
    core_used = {
        imported
        for module in graph.modules
        if module.startswith("doudi.batch") and not SKIP.search(module)
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("doudi.core")
    }
    with_django = {m for m in core_used if "django" in {i.split(".")[0] for i in graph.find_modules_directly_imported_by(m)}}
    assert not with_django


def test_only_the_registry_names_its_tables_in_sql():
    pattern = re.compile(r"\bregistry_(household|person|benefit|importbatch|householdmove|pendingbenefitchange)\b")
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("registry/") or "/migrations/" in relative or "/tests/" in relative:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"doudi/{relative}:{number}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)


def test_only_the_registry_reads_its_table_names():
    """Set-wise SQL elsewhere joins the registry through registry/extracts.py (BENEFITS,
    HOUSEHOLDS, PERSONS, in_force_sql), not through the models' table names."""
    pattern = re.compile(r"\b(Benefit|Household|Person)\._meta\b")
    offenders = [
        f"doudi/{path.relative_to(ROOT).as_posix()}"
        for path in ROOT.rglob("*.py")
        if not path.relative_to(ROOT).as_posix().startswith("registry/")
        and "/tests/" not in path.as_posix()
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
