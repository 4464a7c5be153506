// Moved to lab/ (the lab runs the same lldpd); tests keep importing from here.
export * from "../../lab/lldpd.js";
