"""`summitwatch serve`: the dashboard in a browser, behind a sign-in when shared."""
