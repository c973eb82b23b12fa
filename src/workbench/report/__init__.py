"""What readers see: charts, numbered exhibits, disclosure control, annexes in HTML, Word and PDF."""
