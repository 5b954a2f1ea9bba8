"""Reports: render a ``Comparison`` or ``Analysis`` as text, JSON, Markdown, CSV or HTML."""
