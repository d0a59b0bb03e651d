"""The demo book: the (주)효원 story and the seeded generator of books at
scale (``book``, ``generator``, ``story``)."""
