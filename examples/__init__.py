"""Examples of services beside bookshelf. They know bookshelf only by its published
contract (the JSON schemas of its integration events), never by its code."""
