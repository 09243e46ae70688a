// Integration tests start real servers and programs: give every test and hook two minutes.
jest.setTimeout(120000);
