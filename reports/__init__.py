"""Reports: render inventory data (diffs, inventories) in the formats people and tools read."""
