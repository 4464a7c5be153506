// Moved to lab/ (the lab builds on the same helpers); tests keep importing from here.
export * from "../../lab/netns.js";
