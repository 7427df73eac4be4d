"""Code sources: a local directory, or a git URL cloned shallowly into a temporary directory."""
