"""Source-code detection: tree-sitter parsing into language-neutral facts, then catalog lookups."""
