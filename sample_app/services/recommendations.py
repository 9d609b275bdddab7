"""What to read next: a collaborator with behaviour, shared by the DI012 lesson's two twins."""

CATALOGUE = ("A Wizard of Earthsea", "The Dispossessed", "The Left Hand of Darkness", "The Lathe of Heaven")


class Recommender:
    """Suggests books; a real one would call a recommendation API (slow, paid, needs a key)."""

    def __init__(self, catalogue: tuple[str, ...]) -> None:
        self.catalogue = catalogue

    def suggest(self, title: str, limit: int = 2) -> list[str]:
        return [other for other in self.catalogue if other != title][:limit]
