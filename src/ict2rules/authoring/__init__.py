"""Tools for ruleset authors: lint, scaffold, cases, coverage, diff, templates, reference pages."""
