"""Storage: the Core tables, the imperative mappers, engines, sessions and migrations."""
