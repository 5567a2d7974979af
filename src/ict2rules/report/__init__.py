"""What a run found: the report, its typed JSON model, messages in plain words, the finding encoder."""
