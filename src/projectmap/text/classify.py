"""Give each project a category, by weighted keywords kept in ``rules/categories.json``.

The project's own words weigh most; the heading of its section and the lead
sentence of its paragraph (``支持骨干企业技改提能``) say what a list of
projects is about when their names do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projectmap.files.rules import not_valid, read_rules


@dataclass(frozen=True)
class Category:
    """A map category with its label, colour, icon and keyword weights."""

    id: str
    label: str
    color: str
    icon: str
    keywords: dict[str, int]


@dataclass(frozen=True)
class Classifier:
    """Scores projects against categories; see ``rules/categories.json``."""

    categories: tuple[Category, ...]
    name_weight: int = 3
    context_weight: int = 1

    @classmethod
    def load(cls, path: str | Path | None = None) -> Classifier:
        """Read the packaged rules, or a user's copy of them at ``path``.

        Raises
        ------
        InputError
            When a user's rules file is not valid JSON of the right shape.
        """
        data = read_rules("categories", path)
        try:
            return cls.from_dict(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise not_valid("categories", path or "rules/categories.json", exc) from exc

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Classifier:
        """Build a classifier from the mapping of a categories file."""
        categories = tuple(
            Category(
                key,
                c["label"],
                c["color"],
                c["icon"],
                {k: int(v) for k, v in c["keywords"].items()},
            )
            for key, c in data["categories"].items()
        )
        return cls(categories, int(data.get("name_weight", 3)), int(data.get("context_weight", 1)))

    def classify(self, name: str, context: str = "") -> str:
        """The category id for a project name in its context."""
        best, best_score = "other", 0
        chars = set(name) | set(context)
        for category in self.categories:
            score = sum(
                weight
                * (self.name_weight * name.count(word) + self.context_weight * context.count(word))
                for word, weight in category.keywords.items()
                if word[0] in chars
            )
            if score > best_score:
                best, best_score = category.id, score
        return best

    def label(self, category_id: str) -> str:
        """The label the map shows for a category id."""
        return next((c.label for c in self.categories if c.id == category_id), category_id)
