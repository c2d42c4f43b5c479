// Initialise NHS.UK frontend components (header menu, error summary focus,
// notification banners, skip link, buttons, ...).
//
// Loaded from base.html as <script type="module">, so there is no inline
// script anywhere and a strict Content Security Policy (script-src 'self')
// is enough.
//
// NHS.UK frontend's own page template sets these body classes with an inline
// <script>; we set them here instead. Only browsers that run ES modules reach
// this file, which is exactly what "nhsuk-frontend-supported" means.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");

// base.html renders the header's primary navigation for signed-in users and
// pages fill it through {% block navigation %}. The header script refuses a
// navigation without links (ElementError), so drop an empty one first.
// (localcare.css hides it too, for when this script does not run.)
for (const $navigation of document.querySelectorAll(".nhsuk-header__navigation")) {
  if (!$navigation.querySelector(".nhsuk-header__navigation-item")) {
    $navigation.remove();
  }
}

initAll();
