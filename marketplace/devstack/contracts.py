"""An import-linter contract of Shiftline's own (registered in pyproject.toml): one app reaches
another only through that app's public faces, its `services`, `selectors` and `models` and a few
named facades. import-linter's own contract types forbid or allow whole packages; this one
allows a kind of module (a pattern) in every capability package at once."""

from fnmatch import fnmatchcase
from typing import cast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


def _matches(module: str, patterns: list[str]) -> bool:
    return any(fnmatchcase(module, pattern) for pattern in patterns)


class PublicFacesContract(Contract):
    """Options:
    - `apps`: the apps whose modules are guarded (top-level package names).
    - `public_modules`: fnmatch patterns of the modules another app may import, such as
      `*.services` or `billing.money`.
    - `ignore_importers`: patterns of importers left unchecked (the project's plumbing: settings,
      URLs, the ASGI and Celery apps, the demo data), which may import everything.
    """

    type_name = "public_faces"

    apps = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField())
    ignore_importers = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        # import-linter parses the options into these attributes before `check` runs.
        apps = set(cast("list[str]", self.apps))
        public = cast("list[str]", self.public_modules)
        ignored = cast("list[str]", self.ignore_importers or [])
        violations = []
        for importer in sorted(graph.modules):
            importer_app = importer.split(".")[0]
            if _matches(importer, ignored):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                imported_app = imported.split(".")[0]
                if (imported_app in apps and imported_app != importer_app
                        and not _matches(imported, public)):
                    lines = sorted(detail["line_number"] for detail in
                                   graph.get_import_details(importer=importer, imported=imported))
                    violations.append((importer, imported, lines))
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, lines in check.metadata["violations"]:
            where = ", ".join(str(line) for line in lines)
            output.print_error(f"{importer} -> {imported} (l. {where})", bold=False)
            output.new_line()
        output.print("Import another app's services, selectors or models instead, or add the "
                     "module to that app's public faces in pyproject.toml if it is one.")
