"""HTML pages of the payments app: citizen, public and finance staff."""
