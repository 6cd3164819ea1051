"""Small reusable widgets. They take attributes and post messages; they never touch the store."""
