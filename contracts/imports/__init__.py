"""Reading imported files: contract figures from the OPCO's systems and whole-market
statistics from open data. Parsing only; writing is `contracts.services`."""
