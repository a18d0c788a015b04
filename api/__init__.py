"""The REST API (docs/adr/0031-a-rest-api.md): other systems read and write through the same
rule set as the pages, with a person's own token that names what it may do."""
