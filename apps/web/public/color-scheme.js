// Loaded as a blocking script from index.html (not inline: the Content-Security-Policy allows scripts
// from this origin only).
// Set the colour scheme before first paint, so a phone at 3 a.m. never flashes white.
try {
  var s = localStorage.getItem('klaxon-color-scheme');
  var dark = s ? s === 'dark' : !window.matchMedia || !window.matchMedia('(prefers-color-scheme: light)').matches;
  if (s === 'auto' || !s) dark = !window.matchMedia || !window.matchMedia('(prefers-color-scheme: light)').matches;
  document.documentElement.setAttribute('data-mantine-color-scheme', dark ? 'dark' : 'light');
  document.documentElement.style.background = dark ? '#1a1b1e' : '#ffffff';
} catch {
  // No storage (a private window): the app's default scheme applies.
}
