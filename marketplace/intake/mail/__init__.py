"""Inbound email read whole: `parsing` turns raw MIME or anymail's normalized fields into a
ParsedEmail, `parts` walks the MIME tree for text and files, `kinds` tells a person's mail
from bounces, automatic replies and list mail, `text` turns a part's bytes into readable text,
`headers` reads header values that may be broken. Receiving it is inbound_email.py's job."""
