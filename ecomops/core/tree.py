"""Shared behaviour of self-referencing trees (departments ORG-01, product categories CAT-04)."""

from __future__ import annotations


class TreeNode:
    """For a model with ``parent`` (a ForeignKey to itself) and ``name``. Adds no fields."""

    def ancestors(self) -> list:
        """From the root down to this node's parent; a cycle in bad data stops the walk."""
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return list(reversed(chain))

    @property
    def path(self) -> str:
        return " / ".join([node.name for node in self.ancestors()] + [self.name])
