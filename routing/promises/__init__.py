"""The honest promise's inputs, read from the live queue for the pure engine."""
