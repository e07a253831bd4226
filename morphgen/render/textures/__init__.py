"""Per-identity procedural textures (skin, brows, lashes, eyes, beard) and their lookup."""
