"""ipreader: a terminal reader and annotator for collections of text articles."""

__version__ = "0.1.0"
