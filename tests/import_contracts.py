"""Contract types import-linter does not ship, used by the contracts in pyproject.toml."""

from __future__ import annotations

import sys

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class StandardLibraryOnlyContract(Contract):
    """The modules (and everything under them) import nothing but each other and the standard library:
    no package of this project and no installed package, whether listed anywhere or not."""

    type_name = "standard_library_only"

    modules = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        found = []
        for module in self.modules:  # type: ignore[attr-defined]
            own = {module.name} | graph.find_descendants(module.name)
            for importer in sorted(own):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    if imported not in own and imported.split(".")[0] not in sys.stdlib_module_names:
                        found.append((importer, imported))
        return ContractCheck(kept=not found, warnings=[], metadata={"imports": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported in check.metadata["imports"]:
            output.print_error(f"{importer} imports {imported}, which is not the standard library.")
            output.new_line()
