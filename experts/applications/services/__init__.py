"""Every write of applying and vetting: the applicant's steps (`applying`), ops' checklist and
notes (`vetting`), decisions (`decisions`) and the append-only trail (`audit`)."""
