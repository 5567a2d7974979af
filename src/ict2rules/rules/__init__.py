"""Rulesets: the format, finding and loading them (``extends:``), compiling them into a plan."""
