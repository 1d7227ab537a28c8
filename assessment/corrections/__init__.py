"""更正: changing a record of a year whose score is approved or confirmed, by request and decision."""
