import { mount } from 'svelte';
import './app.css';
import StoreGate from './StoreGate.svelte';
import { bridgeToken, inWails } from './lib/api';

// Take the bridge's token out of the address bar before anything else runs.
if (!inWails()) bridgeToken();

// The gate shows the app once its store is open (StoreGate.svelte).
const app = mount(StoreGate, { target: document.getElementById('app')! });

export default app;
