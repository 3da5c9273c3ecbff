import './styles.ts';
import { type CSSVariablesResolver, createTheme, MantineProvider } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

// Readable contrast (WCAG AA, 4.5:1 for body text): darker primary buttons and links, darker dimmed
// and placeholder text (Mantine's grey placeholders are about 2:1, and they carry words like "All teams").
// Filled badges and buttons pick black text from a luminance of 0.2 (Mantine's 0.3 leaves white on
// orange and green, about 3.5:1).
const theme = createTheme({
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  luminanceThreshold: 0.2,
});
const resolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
  },
  dark: {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    '--mantine-color-placeholder': 'var(--mantine-color-dark-1)',
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={resolver} defaultColorScheme="auto">
      <App />
    </MantineProvider>
  </StrictMode>,
);
