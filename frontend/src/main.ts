import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { bridgeToken, inWails } from './lib/api';

// Take the bridge's token out of the address bar before anything else runs.
if (!inWails()) bridgeToken();

const app = mount(App, { target: document.getElementById('app')! });

export default app;
