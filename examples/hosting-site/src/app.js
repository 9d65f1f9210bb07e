// Client-side routing works because the hosting service falls back to index.html.
document.getElementById('route').textContent = `You are at ${location.pathname}`;
