// Shiftline's chat widget. A brand's page loads it with
//   <script src="https://<shiftline host>/widget/v1.js" data-shiftline-queue="<public id>" async>
// and it draws a launcher in a shadow root, so neither page's CSS reaches the other.
import { Widget } from "./widget.js";

const script = document.currentScript
  || document.querySelector("script[data-shiftline-queue]");

function start() {
  if (!script || document.getElementById("shiftline-widget")) return;
  new Widget(script).mount();
}

if (document.body) start();
else document.addEventListener("DOMContentLoaded", start, { once: true });
