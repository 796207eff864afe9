"""The public-faces contract (pyproject.toml) refuses an import into another app's internals and
lets through its services, selectors, models and named facades."""

import grimp

from marketplace.devstack.contracts import PublicFacesContract

OPTIONS = {
    "apps": ["marketplace", "experts", "routing"],
    "public_modules": ["*.services", "*.services.*", "*.selectors", "*.models",
                       "marketplace.infra.*"],
    "ignore_importers": ["marketplace.urls"],
}


def graph_with(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=7,
                         line_contents=f"from {imported} import something")
    return graph


def check(graph: grimp.ImportGraph) -> list[tuple[str, str, list[int]]]:
    contract = PublicFacesContract(name="faces", session_options={}, contract_options=OPTIONS)
    result = contract.check(graph, verbose=False)
    assert result.kept == (not result.metadata["violations"])
    return result.metadata["violations"]


def test_services_selectors_models_and_facades_of_another_app_are_allowed() -> None:
    graph = graph_with(
        ("routing.offers.services", "marketplace.inquiries.services"),
        ("routing.offers.services", "experts.shifts.services.booking"),
        ("routing.offers.services", "marketplace.queues.selectors"),
        ("routing.offers.services", "experts.profiles.models"),
        ("experts.presence.services", "marketplace.infra.push"),
    )

    assert check(graph) == []


def test_another_apps_api_task_or_helper_module_is_refused_with_its_line() -> None:
    graph = graph_with(
        ("routing.offers.services", "marketplace.intake.api"),
        ("experts.quality.services", "routing.tasks"),
        ("routing.offers.services", "experts.applications.screening"),
    )

    assert check(graph) == [
        ("experts.quality.services", "routing.tasks", [7]),
        ("routing.offers.services", "experts.applications.screening", [7]),
        ("routing.offers.services", "marketplace.intake.api", [7]),
    ]


def test_imports_inside_one_app_and_from_the_plumbing_are_not_its_business() -> None:
    graph = graph_with(
        ("marketplace.intake.services", "marketplace.intake.api"),
        ("marketplace.urls", "experts.shifts.api"),
    )

    assert check(graph) == []
