import { folderLayout } from './folder-zip';

describe(folderLayout.name, () => {
  it('makes the picked folder the root of the zip', () => {
    const file = (path: string) => ({
      name: path.split('/').pop()!,
      webkitRelativePath: path,
      lastModified: 0,
    });
    expect(folderLayout([file('job/run.sh'), file('job/data/a.csv')])).toEqual({
      folder: 'job',
      names: ['run.sh', 'data/a.csv'],
    });
  });

  it('keeps plain names of files picked without a folder', () => {
    expect(folderLayout([{ name: 'x.txt', webkitRelativePath: '', lastModified: 0 }]).names).toEqual([
      'x.txt',
    ]);
  });
});
