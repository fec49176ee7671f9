"""marshmallow schemas of the vendor's JSON shapes; they import the domain, never the reverse."""
