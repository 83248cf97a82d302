def posted_id(request, name: str) -> int | None:
    """A database id posted in a form, or None for anything else ("²" and "1 OR 1=1" included)."""
    raw = request.POST.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
