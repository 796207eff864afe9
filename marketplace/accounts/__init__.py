"""A person's own settings, whatever their role: for now the time zone their pages show times in."""
