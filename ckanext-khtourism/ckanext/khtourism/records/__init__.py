"""The tourism record types: vocabularies, validators, presets, helpers, privacy."""
