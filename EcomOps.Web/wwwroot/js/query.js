// Browser side of the Query page: its tabs in localStorage, and catalog completion for Monaco's sql language.

const tabsKey = "ecomops.query.tabs";

export function loadTabs() {
    try {
        return window.localStorage.getItem(tabsKey);
    } catch {
        return null;
    }
}

export function saveTabs(json) {
    try {
        window.localStorage.setItem(tabsKey, json);
    } catch {
        // Storage full or disabled: the tabs then last as long as the page.
    }
}

// Monaco keeps providers for the life of the window, so one is registered once and asks whichever editor is current.
let completer = null;
let registered = false;

export function useCompletions(dotnetRef, owner) {
    completer = { dotnetRef, owner };
    if (registered || !window.monaco) {
        return;
    }

    registered = true;
    const kinds = {
        database: monaco.languages.CompletionItemKind.Module,
        table: monaco.languages.CompletionItemKind.Class,
        column: monaco.languages.CompletionItemKind.Field,
    };
    monaco.languages.registerCompletionItemProvider("sql", {
        triggerCharacters: ["."],
        provideCompletionItems: async (model, position) => {
            if (!completer) {
                return { suggestions: [] };
            }

            const before = model.getValueInRange({ startLineNumber: 1, startColumn: 1, endLineNumber: position.lineNumber, endColumn: position.column });
            const word = model.getWordUntilPosition(position);
            const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
            const items = await completer.dotnetRef.invokeMethodAsync("Complete", before, model.getValue());
            return {
                suggestions: items.map(i => ({ label: i.label, kind: kinds[i.kind] ?? kinds.column, detail: i.detail, insertText: i.insertText, range })),
            };
        },
    });
}

export function releaseCompletions(owner) {
    if (completer && completer.owner === owner) {
        completer = null;
    }
}
