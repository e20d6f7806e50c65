/* The overview in place: filled in by the dashboard's script (see README). */
"use strict";
