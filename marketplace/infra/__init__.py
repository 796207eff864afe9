"""Shared infrastructure every app uses: domain errors, after-commit work, task scheduling by name,
live pushes, signing, request parsing, the outbound address guard. Imports no app."""
