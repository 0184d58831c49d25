"""Imports between the project's modules: no cycles in amanah/, workflow/ or payments/, and the
layers of ARCHITECTURE.md kept — whether an import sits at the top of a module or inside a
function, since an import inside a function only hides a cycle, it does not break it.

Every .py file is parsed with `ast` (never imported). Each `import a.b`, `from a import b`,
`from . import b` and `from ..a import b` is resolved to the project module it loads: `b` when
it is a module of its own, else the module that defines it. Loading a submodule also runs its
package's __init__, but that implicit step is not an edge: a package that imports its own
modules is the usual shape, not a cycle.
"""

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHECKED = ("amanah", "workflow", "payments")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the absolute dotted name as written, relative imports resolved
    line: int


@dataclass
class ModuleGraph:
    root: Path
    files: dict[str, Path]  # module → its file
    imports: list[Import] = field(default_factory=list)
    edges: dict[str, dict[str, int]] = field(default_factory=dict)  # module → {module: line}

    def where(self, module: str, line: int) -> str:
        return f"{self.files[module].relative_to(self.root)}:{line}"


def modules_find(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name → file, for every .py under the given top-level packages."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _relative_base(module: str, path: Path, level: int) -> str:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    parts = package.split(".")
    if level - 1 > len(parts) - 1:
        raise ValueError(f"{path}: relative import beyond the top-level package")
    return ".".join(parts[:len(parts) - (level - 1)])


def imports_read(module: str, path: Path) -> list[Import]:
    """Every import in the file, wherever it stands, as absolute dotted names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = _relative_base(module, path, node.level)
                base = f"{prefix}.{base}" if base else prefix
            found += [Import(module, f"{base}.{alias.name}", node.lineno)
                      for alias in node.names if alias.name != "*"]
            if any(alias.name == "*" for alias in node.names):
                found.append(Import(module, base, node.lineno))
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The project module that `name` loads: itself, or the nearest module above it."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def graph_build(root: Path, packages: tuple[str, ...]) -> ModuleGraph:
    files = modules_find(root, packages)
    graph = ModuleGraph(root=root, files=files)
    for module, path in files.items():
        graph.edges[module] = {}
        for found in imports_read(module, path):
            graph.imports.append(found)
            target = _resolve(found.target, files)
            if target is not None:
                graph.edges[module].setdefault(target, found.line)
    return graph


def cycles_find(graph: ModuleGraph) -> list[list[str]]:
    """Strongly connected components of more than one module, and modules importing
    themselves (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for start in sorted(graph.edges):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.edges[node]:
                    cycles.append(sorted(component))
    return cycles


def cycles_describe(graph: ModuleGraph, cycles: list[list[str]]) -> list[str]:
    """Each cycle as its modules and the imports that tie them, file and line."""
    described = []
    for cycle in cycles:
        members = set(cycle)
        ties = [f"{source} -> {target} ({graph.where(source, graph.edges[source][target])})"
                for source in cycle for target in sorted(graph.edges[source])
                if target in members]
        described.append(f"cycle of {len(cycle)}: " + "; ".join(ties))
    return described


def _is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def layer_violations(graph: ModuleGraph, *, importer: str, forbidden: tuple[str, ...],
                     allowed: tuple[str, ...] = ()) -> list[str]:
    """Imports from modules of `importer` (other than `allowed` ones) into `forbidden`."""
    return [f"{found.module} imports {found.target} ({graph.where(found.module, found.line)})"
            for found in graph.imports
            if _is_within(found.module, importer)
            and not any(_is_within(found.module, ok) for ok in allowed)
            and any(_is_within(found.target, bad) for bad in forbidden)]


# Where payments may meet its SADAD adapter: the composition root, the adapter itself, and the
# operators' commands that drive it.
PAYMENTS_MAY_IMPORT_SADAD = ("payments.apps", "payments.sadad", "payments.management.commands")


def payments_sadad_violations(graph: ModuleGraph) -> list[str]:
    return layer_violations(graph, importer="payments", forbidden=("payments.sadad",),
                            allowed=PAYMENTS_MAY_IMPORT_SADAD)


@pytest.fixture(scope="module")
def project() -> ModuleGraph:
    return graph_build(ROOT, CHECKED)


# --- the project -----------------------------------------------------------------------------

def test_no_import_cycles_in_amanah_workflow_or_payments(project):
    # given every module of amanah/, workflow/ and payments/ with all their imports
    assert {"payments.services.bills", "payments.sadad.inbound",
            "workflow.services.cases"} <= set(project.files)
    # then no group of modules imports itself round, directly or through others
    assert cycles_describe(project, cycles_find(project)) == []


def test_the_payments_domain_never_imports_the_sadad_adapter(project):
    # given every import made by a module of payments/
    # then only the composition root, the adapter and the commands import payments.sadad
    assert payments_sadad_violations(project) == []


def test_workflow_never_imports_the_apps_above_it(project):
    # then workflow/ reaches permits, violations and payments only through its registries
    assert layer_violations(project, importer="workflow",
                            forbidden=("permits", "violations", "payments")) == []


def test_amanah_imports_no_app(project):
    # then the core knows no app: they all build on it
    assert layer_violations(project, importer="amanah",
                            forbidden=("workflow", "payments", "permits", "violations")) == []


# --- the checker itself, on planted violations ------------------------------------------------

def _plant(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_a_cycle_held_together_by_an_import_inside_a_function_is_found(tmp_path):
    # given a package whose two modules import each other, one of them only inside a function
    root = _plant(tmp_path, {
        "shop/__init__.py": "",
        "shop/orders.py": "from .billing import invoice\n",
        "shop/billing.py": """\
            def invoice():
                from shop.orders import place  # hidden in a function

                return place
            """,
        "shop/catalogue.py": "import shop.billing\n",
    })
    graph = graph_build(root, ("shop",))
    # when the checker looks for cycles
    cycles = cycles_find(graph)
    # then it names exactly the two modules, with the lines that tie them
    assert cycles == [["shop.billing", "shop.orders"]]
    assert cycles_describe(graph, cycles) == [
        "cycle of 2: shop.billing -> shop.orders (shop/billing.py:2); "
        "shop.orders -> shop.billing (shop/orders.py:1)"]


def test_relative_imports_of_every_form_are_resolved(tmp_path):
    # given a cycle of three through `from .. import x`, `from . import y` and `import a.b`
    root = _plant(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "import app.services.writes\n",
        "app/services/__init__.py": "",
        "app/services/writes.py": "from . import reads\n",
        "app/services/reads.py": "def read():\n    from .. import models\n    return models\n",
        "app/services/plain.py": "from .reads import read\nfrom ..models import *\n",
    })
    graph = graph_build(root, ("app",))
    # then the relative names became module names, and the three-module cycle is found
    assert graph.edges["app.services.reads"] == {"app.models": 2}
    assert graph.edges["app.services.plain"] == {"app.services.reads": 1, "app.models": 2}
    assert cycles_find(graph) == [["app.models", "app.services.reads", "app.services.writes"]]


def test_a_module_importing_itself_is_a_cycle_but_a_package_importing_its_modules_is_not(
        tmp_path):
    # given a package __init__ that imports its modules, and a module that imports itself
    root = _plant(tmp_path, {
        "lib/__init__.py": "from .tools import tool\nfrom . import more\n",
        "lib/tools.py": "def tool():\n    from lib.tools import tool\n    return tool\n",
        "lib/more.py": "from lib import tools\n",
    })
    graph = graph_build(root, ("lib",))
    # then only the self-import is reported
    assert cycles_find(graph) == [["lib.tools"]]


def test_the_domain_importing_the_adapter_inside_a_function_is_found(tmp_path):
    # given a payments domain module that reaches into payments.sadad from inside a function,
    # and the places that may import it
    root = _plant(tmp_path, {
        "payments/__init__.py": "",
        "payments/apps.py": "from .sadad.gateway import Gateway\n",
        "payments/services/__init__.py": "",
        "payments/services/outbox.py": "def send():\n    from ..sadad import wire\n",
        "payments/sadad/__init__.py": "",
        "payments/sadad/gateway.py": "from ..services import outbox\n",
        "payments/sadad/wire.py": "",
        "payments/management/commands/simulate.py": "from payments.sadad import wire\n",
    })
    graph = graph_build(root, ("payments",))
    # then the domain module is named, and neither the composition root, the adapter nor the
    # command is
    assert payments_sadad_violations(graph) == [
        "payments.services.outbox imports payments.sadad.wire "
        "(payments/services/outbox.py:2)"]


def test_workflow_importing_an_app_above_it_is_found(tmp_path):
    # given a workflow module importing permits inside a function
    root = _plant(tmp_path, {
        "workflow/__init__.py": "",
        "workflow/effects.py": "def issue():\n    import permits.services\n",
        "workflow/guards.py": "from workflow import effects\n",
    })
    graph = graph_build(root, ("workflow",))
    # then it is named
    assert layer_violations(graph, importer="workflow",
                            forbidden=("permits", "violations", "payments")) == [
        "workflow.effects imports permits.services (workflow/effects.py:2)"]


# --- permits and violations: two apps side by side, one narrow door between them -------------

@pytest.fixture(scope="module")
def services_apps() -> ModuleGraph:
    return graph_build(ROOT, ("permits", "violations"))


def test_violations_reads_permits_only_through_its_public_module(services_apps):
    # given every import made by a module of violations/
    # then the only permits module it reaches is permits.public (facts by number, the
    # sampling hook); penalties reach a permit through amanah.penalties
    assert [f"{found.module} imports {found.target} "
            f"({services_apps.where(found.module, found.line)})"
            for found in services_apps.imports
            if _is_within(found.module, "violations") and _is_within(found.target, "permits")
            and not _is_within(found.target, "permits.public")] == []


def test_permits_never_imports_violations(services_apps):
    assert layer_violations(services_apps, importer="permits", forbidden=("violations",)) == []
