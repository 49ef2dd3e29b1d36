"""The Textual layer of ipreader: app, screens and widgets over the Textual-free core."""
