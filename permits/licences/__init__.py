"""Commercial licences (issue 10)."""
