"""The customer chat widget on brands' own sites: its public JSON API, its customer socket and
the conversation token that binds a browser to one chat inquiry (issue 14 §1)."""
