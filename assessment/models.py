"""Assessment models arrive with the annual-assessment work; the app is registered now so URLs and
permissions have a home."""
